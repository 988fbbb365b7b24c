#pragma once
// SHA-256 (FIPS 180-4) of a byte string, as 64 lowercase hex digits: the
// content address and the checksum of the result cache's entries
// (models/io/disk_cache.hpp). A cryptographic hash, so that two different keys
// never share an entry in practice; the entry still carries its key.
#include <string>
#include <string_view>

namespace hwsim {

std::string sha256_hex(std::string_view data);

}  // namespace hwsim
