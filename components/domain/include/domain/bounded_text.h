/*
 * bounded_text: the project's one way to measure and copy C strings into fixed-size buffers.
 *
 * Every text the device keeps lives in an array of known size (names, reasons, URIs), so measuring never
 * reads past the array and copying never writes past it, whatever the source holds. Pure C11.
 */
#ifndef DOMAIN_BOUNDED_TEXT_H
#define DOMAIN_BOUNDED_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* strlen that stops at capacity: capacity means "no NUL in text[0..capacity)" (strnlen is not C11). */
size_t bounded_text_len(const char *text, size_t capacity);

/*
 * Copies src into dst[0..dst_size) and always NUL-terminates (dst_size > 0). Returns true when the whole
 * of src fit; false when it was cut to dst_size - 1 bytes, or when dst is NULL / dst_size is 0 (nothing
 * written) or src is NULL (dst becomes ""). A cut never splits a UTF-8 character of a well-formed src.
 */
bool bounded_text_copy(char *dst, size_t dst_size, const char *src);

/* Copies src only when it fits whole; otherwise dst becomes "" and false is returned. */
bool bounded_text_copy_whole(char *dst, size_t dst_size, const char *src);

#endif /* DOMAIN_BOUNDED_TEXT_H */
