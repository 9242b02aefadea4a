/*
 * hex_digit: the value of one hexadecimal digit, the single helper behind every parser that reads hex
 * (MAC addresses, percent-encoded forms, escaped config files). Pure C11.
 */
#ifndef DOMAIN_HEX_DIGIT_H
#define DOMAIN_HEX_DIGIT_H

/* 0..15 for '0'-'9', 'a'-'f', 'A'-'F'; -1 for anything else (any int, EOF included). */
int hex_digit_value(int c);

#endif /* DOMAIN_HEX_DIGIT_H */
