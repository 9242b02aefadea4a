"""The health check keeps answering while idle and slow clients crowd the simulator's HTTP server.

The central server marks a device offline when GET /whoami fails (consumer contract), so an idle-socket
or slow-loris client on the farm network must not be able to keep it out. The server's policy
(simulator/sim_http.h): a bounded number of open connections, the least recently answered one shut down
when a new one comes, idle connections closed after a few seconds.
"""

import time

from http_pressure import HoldOpenClients, WhoamiPoller

IDLE_SOCKETS = 200
SLOW_LORIS = 50
HOLD_S = 7.0  # longer than the server's idle timeout (5 s), so both ways of closing are exercised
POLL_INTERVAL_S = 0.05


def test_whoami_answers_every_poll_while_idle_and_slow_clients_hold_connections(absent_broker_uri, simulator):
    sim = simulator(absent_broker_uri)
    port = sim.http_port
    with HoldOpenClients(port, idle=IDLE_SOCKETS, slow=SLOW_LORIS) as attackers:
        assert attackers.opened >= IDLE_SOCKETS + SLOW_LORIS - attackers.connect_failures
        with WhoamiPoller(port, interval_s=POLL_INTERVAL_S) as poller:
            time.sleep(HOLD_S)
        figures = poller.figures()
        reopened = attackers.opened - IDLE_SOCKETS - SLOW_LORIS
    summary = (
        f"/whoami: {figures.polls} polls, {figures.misses} misses {figures.miss_reasons}; attackers: "
        f"{attackers.opened} connections made ({reopened} reopened after the server closed them), "
        f"{attackers.connect_failures} connects failed"
    )
    print(summary)
    assert figures.polls >= HOLD_S / POLL_INTERVAL_S / 4, summary  # the poller really ran throughout
    assert figures.misses == 0, summary
    assert attackers.closed_by_server > 0, f"the server never closed an abusive connection: {summary}"
    assert sim.running
