"""brokers: NATS and Mosquitto with TLS and users, the minimal NATS/MQTT probes, and the local NATS cluster."""

import json
import ssl

import paho.mqtt.client as mqtt
import pytest
import trustme

from irrigation_tools.brokers import (
    BrokerError,
    NatsBroker,
    NatsCluster,
    NatsNode,
    SecureMosquittoBroker,
    TlsFiles,
    mqtt_connect_probe,
    nats_request,
    port_accepts,
    reserve_closed_port,
)

USERS = {"device": "pw-device-1234", "consumer": "pw-consumer-5678"}
MQTT_STREAMS = {"$MQTT_sess", "$MQTT_msgs", "$MQTT_rmsgs"}


@pytest.fixture
def pki(tmp_path):
    """A trustme CA (its PEM file) and a server certificate for 127.0.0.1 (TlsFiles)."""
    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1")
    files = TlsFiles(tmp_path / "server.crt", tmp_path / "server.key")
    issued.cert_chain_pems[0].write_to_path(str(files.cert_file))
    issued.private_key_pem.write_to_path(str(files.key_file))
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    return tmp_path / "ca.pem", files


# paho-mqtt 2 reports MQTT 3.1.1 CONNACK return codes as MQTT 5 reason codes: 4 -> 134, 5 -> 135.
REFUSED_NOT_AUTHORIZED = 135  # MQTT 3.1.1 return code 5


def connack(port, username=None, password=None, ca_file=None, transport="tcp"):
    """The CONNACK reason code a paho client gets, over TCP or wss:// (path /mqtt)."""
    outcome = []
    client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311,
                         transport=transport)
    if transport == "websockets":
        client.ws_set_options(path="/mqtt")
    if ca_file is not None:
        client.tls_set(ca_certs=str(ca_file), cert_reqs=ssl.CERT_REQUIRED)
    if username is not None:
        client.username_pw_set(username, password)
    client.on_connect = lambda c, u, f, reason, p: outcome.append(reason.value)
    client.connect("127.0.0.1", port, keepalive=10)
    try:
        for _ in range(50):
            client.loop(timeout=0.1)
            if outcome:
                break
    finally:
        client.disconnect()
    return outcome[0] if outcome else None


def test_nats_node_config_has_its_name_tls_users_and_routes(tmp_path, pki):
    _, files = pki
    node = NatsNode(tmp_path / "n", server_name="node_a", ws_tls=files, users={"u": 'p"q'})
    node.cluster_name = "c1"
    node.route_ports = [node.hold_cluster_port(), 4248]
    text = node.config_text()
    node.release_ports()
    assert "server_name: node_a\n" in text
    assert f"tls {{ cert_file: {json.dumps(str(files.cert_file))}" in text and "no_tls" not in text
    assert 'authorization { users: [ { user: "u", password: "p\\"q" } ] }' in text
    assert f'routes: [ "nats-route://127.0.0.1:{node.cluster_port}", "nats-route://127.0.0.1:4248" ]' in text
    assert node.ws_uri == f"wss://127.0.0.1:{node.ws_port}/mqtt"


def test_nats_node_without_options_is_a_plain_broker(tmp_path):
    node = NatsNode(tmp_path / "n")
    text = node.config_text()
    node.release_ports()
    assert "no_tls: true" in text and "authorization" not in text and "cluster" not in text
    assert node.ws_uri.startswith("ws://")


def test_nats_with_tls_and_users_takes_the_right_password_over_wss_and_refuses_others(tmp_path, pki):
    ca_file, files = pki
    with NatsNode(tmp_path / "n", ws_tls=files, users=USERS) as nats:
        assert connack(nats.ws_port, "device", USERS["device"], ca_file, "websockets") == 0
        assert connack(nats.ws_port, "device", "wrong", ca_file, "websockets") == REFUSED_NOT_AUTHORIZED
        assert connack(nats.mqtt_port) == REFUSED_NOT_AUTHORIZED  # no credentials, plain TCP


def test_mosquitto_with_tls_and_a_password_file(tmp_path, pki):
    ca_file, files = pki
    with SecureMosquittoBroker(tmp_path / "m", ws_tls=files, users=USERS) as mosquitto:
        config = mosquitto.config_path.read_text()
        stored = mosquitto.password_path.read_text()
        assert config.endswith(
            f"certfile {files.cert_file}\nkeyfile {files.key_file}\nallow_anonymous false\n"
            f"password_file {mosquitto.password_path}\n"
        )
        assert all(password not in stored for password in USERS.values())  # hashed
        assert sorted(line.split(":")[0] for line in stored.splitlines()) == sorted(USERS)
        assert mosquitto.ws_uri == f"wss://127.0.0.1:{mosquitto.ws_port}/mqtt"
        assert connack(mosquitto.ws_port, "consumer", USERS["consumer"], ca_file, "websockets") == 0
        assert connack(mosquitto.mqtt_port, "consumer", "wrong") == REFUSED_NOT_AUTHORIZED
        assert connack(mosquitto.mqtt_port) == REFUSED_NOT_AUTHORIZED


def test_probes_speak_mqtt_and_nats(tmp_path):
    with NatsBroker(tmp_path / "n") as nats:
        assert mqtt_connect_probe(nats.mqtt_port, "probe-test") == 0
        info = json.loads(nats_request(nats.client_port, "$JS.API.INFO"))
        assert info["type"] == "io.nats.jetstream.api.v1.account_info_response"
    with reserve_closed_port() as port:
        with pytest.raises(BrokerError, match="MQTT CONNECT to port"):
            mqtt_connect_probe(port, "probe-test", timeout_s=1.0)
        with pytest.raises(BrokerError, match="NATS request"):
            nats_request(port, "$JS.API.INFO", timeout_s=1.0)


def test_a_cluster_needs_a_node(tmp_path):
    with pytest.raises(BrokerError, match="at least one node"):
        NatsCluster(tmp_path / "c", size=0)


def test_cluster_nodes_route_replicate_and_survive_one_node_killed(tmp_path):
    cluster = NatsCluster(tmp_path / "c")
    try:
        assert cluster.ws_uris == [node.ws_uri for node in cluster.nodes] and len(set(cluster.ws_uris)) == 3
        assert len({node.server_name for node in cluster.nodes}) == 3
        cluster.start()
        pids = cluster.pids
        assert len(set(pids)) == 3 and all(pids)
        leaders = cluster.jetstream_leaders()
        assert MQTT_STREAMS <= set(leaders) and all(leaders[s] for s in MQTT_STREAMS)
        leaders = cluster.move_leaders_off(0)
        assert cluster.node(0).server_name not in [v for k, v in leaders.items() if k != "meta"]

        cluster.kill(0)
        assert not cluster.node(0).running and not port_accepts(cluster.node(0).mqtt_port)
        cluster.wait_ready([1, 2])  # the other two still answer /healthz and MQTT
        cluster.restart_node(0)
        assert cluster.node(0).running and cluster.node(0).pid not in pids
        assert mqtt_connect_probe(cluster.node(0).mqtt_port, "probe-again") == 0
    finally:
        cluster.stop()
    assert not any(node.running for node in cluster.nodes)
