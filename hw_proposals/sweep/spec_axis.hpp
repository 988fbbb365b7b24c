#pragma once
// An axis over a GPU description key (`hwsim gpus schema`): the key checked
// against the spec table, its values given as quantities converted to the
// key's unit, and an integer key's values checked against its rule and range.
// The sweep file reader and the study's sensitivity lines both go through
// these, so a key or unit the spec table rejects fails with the same words in
// either.
//
// Contract: each throws hwsim::Error with the message alone; the caller names
// where the key was given (a sweep file prefixes "FILE:LINE: KEY: ").
#include <string>
#include <string_view>

#include "hw_proposals/sweep/axis.hpp"

namespace hwsim::sweep {

// An axis of target kSpec over `key`, with no values yet. Throws when `key` is
// no GPU description key (with a did-you-mean) or not a number or integer key.
Axis spec_axis(const std::string& key);

// A value given with a unit ("3.35 TB/s", "2.5 us"), in the unit of a's key.
// Throws "WHERE: ..." when the key has no unit, the text is no quantity or its
// unit is of another dimension (naming both).
double spec_quantity(const Axis& a, std::string_view text, const std::string& where);

// An integer key's values within the key's rule and range and within 2^53 (a
// whole number beyond it has no integer to become); a number key's values are
// checked when the GPU description loads with them. Throws naming the value,
// the range and the key.
void check_spec_values(const Axis& a);

}  // namespace hwsim::sweep
