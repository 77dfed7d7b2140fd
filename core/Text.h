// Small text helpers for error messages and the HTML reports.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace synthlabel {

// True when `s` is well-formed UTF-8 (JSON output requires it).
bool is_valid_utf8(std::string_view s);

// Levenshtein distance between two ASCII strings.
std::size_t edit_distance(std::string_view a, std::string_view b);

// " (did you mean 'x'?)" for the closest candidate within a small distance, else "". When nothing is
// close, lists the valid choices instead: " (expected one of: a, b, c)".
std::string suggest(std::string_view given, std::span<const std::string_view> candidates);

// `s` as one line of printable text: each run of line breaks (and whitespace around them) becomes
// " / ", a tab a space, other control bytes (a NUL from a file, say) "\xNN"; trailing space is dropped.
std::string one_line(std::string_view s);

// `s` safe as HTML text or a quoted attribute value: < > & ' " escaped.
std::string html_escape(std::string_view s);

// `bytes` in base64 (RFC 4648, with padding): images embedded in the HTML reports.
std::string base64(std::span<const std::uint8_t> bytes);

}  // namespace synthlabel
