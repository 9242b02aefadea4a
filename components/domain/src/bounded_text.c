#include "domain/bounded_text.h"

#include <string.h>

size_t bounded_text_len(const char *text, size_t capacity)
{
    if (text == NULL) {
        return 0;
    }
    const char *nul = memchr(text, '\0', capacity);
    return nul == NULL ? capacity : (size_t)(nul - text);
}

bool bounded_text_copy(char *dst, size_t dst_size, const char *src)
{
    if (dst == NULL || dst_size == 0) {
        return false;
    }
    if (src == NULL) {
        dst[0] = '\0';
        return false;
    }
    const size_t len = bounded_text_len(src, dst_size);
    size_t keep = len;
    if (len == dst_size) {
        /* Cut, backing off (at most 3 bytes) to a character boundary, so no half UTF-8 character is kept. */
        keep = dst_size - 1;
        for (int i = 0; i < 3 && keep > 0 && ((unsigned char)src[keep] & 0xC0u) == 0x80u; i++) {
            keep--;
        }
    }
    memcpy(dst, src, keep);
    dst[keep] = '\0';
    return keep == len;
}

bool bounded_text_copy_whole(char *dst, size_t dst_size, const char *src)
{
    if (dst == NULL || dst_size == 0) {
        return false;
    }
    if (src == NULL || bounded_text_len(src, dst_size) == dst_size) {
        dst[0] = '\0';
        return false;
    }
    return bounded_text_copy(dst, dst_size, src);
}
