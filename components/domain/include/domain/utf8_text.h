/*
 * utf8_text: byte-level text rules shared by every value that leaves the device.
 *
 * The central server measures limits in bytes of the raw UTF-8 value after trimming white space the way
 * Go's strings.TrimSpace does (ASCII white space and the Unicode White_Space characters such as U+00A0).
 * These helpers never allocate and never read past the given length.
 */
#ifndef DOMAIN_UTF8_TEXT_H
#define DOMAIN_UTF8_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* True when text[0..len) is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
bool utf8_text_is_valid(const char *text, size_t len);

/*
 * Byte length (1-4) of the well-formed character at text[0..avail), or 0 when the bytes there do not start
 * one (stray continuation byte, overlong, surrogate, beyond U+10FFFF, cut short, or avail == 0). Lets
 * callers that must show any bytes (scan results, logs) replace bad bytes one at a time.
 */
size_t utf8_text_char_len(const char *text, size_t avail);

/*
 * Finds the trimmed view of text[0..len): *start is the offset of the first non-white-space byte and
 * *trimmed_len the length up to the last one (0 when only white space). text must be valid UTF-8.
 */
void utf8_text_trim(const char *text, size_t len, size_t *start, size_t *trimmed_len);

/*
 * Largest length <= max_bytes that ends on a character boundary of the valid UTF-8 text[0..len), so that
 * cutting there never splits a multi-byte character. Returns len when len <= max_bytes.
 */
size_t utf8_text_cut_len(const char *text, size_t len, size_t max_bytes);

#endif /* DOMAIN_UTF8_TEXT_H */
