#include "models/memory/l2_cache.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "models/memory/address_hash.hpp"
#include "models/spec/error.hpp"

namespace hwsim {
namespace {
constexpr std::int64_t kMaskBits = 64;  // granules one chunk's mask can track

// A mask of the lowest n granules.
std::uint64_t low_bits(std::int64_t n) { return n >= kMaskBits ? ~0ULL : (1ULL << n) - 1; }

// The granule: whole sectors, as few as keep a chunk within 64 of them.
std::int64_t granule_for(const L2Geometry& g) {
  const std::int64_t span = kMaskBits * g.sector_bytes;
  return g.sector_bytes * ((g.chunk_bytes + span - 1) / span);
}
}  // namespace

L2Cache::L2Cache(const L2Geometry& g)
    : slices_(g.slices),
      partitions_(g.partitions),
      sector_(g.sector_bytes),
      granule_(granule_for(g)),
      chunk_(g.chunk_bytes),
      per_slice_(std::max<std::int64_t>(1, g.size_bytes / g.chunk_bytes / g.slices)),
      head_(static_cast<size_t>(g.slices), -1),
      tail_(static_cast<size_t>(g.slices), -1),
      count_(static_cast<size_t>(g.slices), 0) {
  std::uint64_t buckets = 16;
  while (buckets < static_cast<std::uint64_t>(per_slice_ * slices_) * 2) buckets *= 2;
  // A bucket keeps its home in 32 bits (an L2 of 2^31 chunks would need
  // 100 GB of nodes anyway).
  if (buckets > (1ULL << 32)) {
    throw Error(fmt::format("L2 of {} chunks (l2.size_bytes / chunk size) is more than the L2 model can index",
                            per_slice_ * slices_));
  }
  mask_ = buckets - 1;
  buckets_.assign(buckets, Bucket{kEmptyKey, -1, 0});
  nodes_.reserve(static_cast<size_t>(per_slice_ * slices_));
  full_mask_ = low_bits((chunk_ - 1) / granule_ + 1);
  full_fill_ = sectors_in(0, chunk_) * sector_;
}

void L2Cache::insert(std::uint64_t key, std::uint64_t hash, std::int32_t node) {
  const std::uint64_t home = hash & mask_;
  std::uint64_t i = home;
  while (buckets_[i].key != kEmptyKey) i = (i + 1) & mask_;
  buckets_[i] = Bucket{key, node, static_cast<std::uint32_t>(home)};
}

void L2Cache::erase(std::uint64_t key) {
  std::uint64_t i = mix64(key) & mask_;
  while (buckets_[i].key != key) i = (i + 1) & mask_;
  // Backward-shift deletion keeps every probe chain unbroken.
  for (std::uint64_t j = (i + 1) & mask_; buckets_[j].key != kEmptyKey; j = (j + 1) & mask_) {
    if (((j - buckets_[j].home) & mask_) >= ((j - i) & mask_)) {
      buckets_[i] = buckets_[j];
      i = j;
    }
  }
  buckets_[i] = Bucket{kEmptyKey, -1, 0};
}

int L2Cache::slice_of(std::uint64_t key) const {
  return static_cast<int>(mix64(key) % static_cast<std::uint64_t>(slices_));
}

void L2Cache::unlink(std::int32_t n) {
  Node& x = nodes_[static_cast<size_t>(n)];
  const int s = x.slice;
  if (x.prev >= 0)
    nodes_[static_cast<size_t>(x.prev)].next = x.next;
  else
    head_[static_cast<size_t>(s)] = x.next;
  if (x.next >= 0)
    nodes_[static_cast<size_t>(x.next)].prev = x.prev;
  else
    tail_[static_cast<size_t>(s)] = x.prev;
  x.prev = x.next = -1;
}

void L2Cache::push_front(int s, std::int32_t n) {
  Node& x = nodes_[static_cast<size_t>(n)];
  x.prev = -1;
  x.next = head_[static_cast<size_t>(s)];
  if (x.next >= 0) nodes_[static_cast<size_t>(x.next)].prev = n;
  head_[static_cast<size_t>(s)] = n;
  if (tail_[static_cast<size_t>(s)] < 0) tail_[static_cast<size_t>(s)] = n;
}

std::uint64_t L2Cache::mask_of(std::int64_t offset, std::int64_t bytes) const {
  const std::int64_t first = offset / granule_;
  return low_bits((offset + bytes - 1) / granule_ - first + 1) << first;
}

// Sectors that bytes [lo, hi) of a chunk touch (a sector is filled whole).
std::int64_t L2Cache::sectors_in(std::int64_t lo, std::int64_t hi) const {
  return (hi + sector_ - 1) / sector_ - lo / sector_;
}

// What filling the `missing` granules of the request [offset, offset + bytes)
// moves from HBM: the requested sectors inside them. The granules between
// the first and the last are covered whole; the end ones in part.
std::int64_t L2Cache::fill_bytes(std::uint64_t missing, std::uint64_t requested, std::int64_t offset,
                                 std::int64_t bytes) const {
  const std::int64_t end = offset + bytes;
  if (missing == requested) return sectors_in(offset, end) * sector_;
  const std::int64_t first = offset / granule_;
  const std::int64_t last = (end - 1) / granule_;
  const std::uint64_t ends = (1ULL << first) | (1ULL << last);
  std::int64_t fill = std::popcount(missing & ~ends) * granule_;
  if (missing & (1ULL << first)) fill += sectors_in(offset, std::min(end, (first + 1) * granule_)) * sector_;
  if (last != first && (missing & (1ULL << last))) fill += sectors_in(last * granule_, end) * sector_;
  return fill;
}

L2Cache::Victim L2Cache::victim_of(const Node& v) const {
  if (v.dirty == 0) return Victim{v.key, 0, false};  // the common case: no write-back
  return Victim{v.key, std::popcount(v.dirty) * granule_, true};
}

L2Cache::Access L2Cache::allocate(std::uint64_t key, std::uint64_t hash, int s, std::uint64_t want, std::uint64_t dirty,
                                  bool whole, std::int64_t offset, std::int64_t bytes, std::int64_t ready) {
  Access a{false, false, ready, whole ? full_fill_ : fill_bytes(want, want, offset, bytes), std::nullopt};
  std::int32_t n;
  if (count_[static_cast<size_t>(s)] >= per_slice_) {
    n = tail_[static_cast<size_t>(s)];
    const Node& v = nodes_[static_cast<size_t>(n)];
    a.victim = victim_of(v);
    erase(v.key);
    unlink(n);
  } else {
    if (!free_.empty()) {
      n = free_.back();
      free_.pop_back();
    } else {
      n = static_cast<std::int32_t>(nodes_.size());
      nodes_.push_back({});
    }
    ++count_[static_cast<size_t>(s)];
    ++resident_;
  }
  nodes_[static_cast<size_t>(n)] = Node{key, want, dirty, ready, -1, -1, s};
  push_front(s, n);
  insert(key, hash, n);
  last_node_ = n;
  return a;
}

void L2Cache::set_ready(std::uint64_t key, std::int64_t ready) {
  // A node holding `key` is its resident node (an evicted node is reused at
  // once for the new key), so the memo needs no other check.
  if (last_node_ >= 0 && nodes_[static_cast<size_t>(last_node_)].key == key) {
    nodes_[static_cast<size_t>(last_node_)].ready = ready;
    return;
  }
  if (const std::int32_t n = find(key, mix64(key)); n >= 0) nodes_[static_cast<size_t>(n)].ready = ready;
}

std::int64_t L2Cache::flush() {
  std::int64_t dirty = 0;
  for (const Node& x : nodes_) dirty += std::popcount(x.dirty) * granule_;
  std::fill(buckets_.begin(), buckets_.end(), Bucket{kEmptyKey, -1, 0});
  last_node_ = -1;
  resident_ = 0;
  nodes_.clear();
  free_.clear();
  std::fill(head_.begin(), head_.end(), -1);
  std::fill(tail_.begin(), tail_.end(), -1);
  std::fill(count_.begin(), count_.end(), 0);
  return dirty;
}

}  // namespace hwsim
