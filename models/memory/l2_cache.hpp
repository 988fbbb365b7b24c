#pragma once
// L2Cache: the functional part of the L2 model. Address-hashed slices, each an
// LRU set of chunks (the chunk size is a simulation option, not hardware: a
// chunk is the unit the memory system moves and tags). Within a chunk the
// cache tracks which sectors hold data, as the hardware does (an L2 line is
// four 32-byte sectors, each filled from DRAM on its own: CUDA C++
// Programming Guide, "Device Memory Accesses"; Nsight Compute Kernel
// Profiling Guide, "sector"), so an access smaller than a chunk fetches only
// the sectors it lacks. A mask has 64 bits: chunks of more than 64 sectors
// track granules of several sectors (a modelling limit, docs/engine.md).
// Chunks carry a ready tick (when their last fill from HBM completes) and a
// dirty mask (write-back). Timing lives in sim/gpu/memory_system; this class
// only decides hit, miss, fill bytes, victim and slice.
//
// Contract: keys are stable 64-bit chunk identities; an access names a byte
// range [offset, offset + bytes) inside its chunk (0 <= offset, bytes > 0,
// offset + bytes <= chunk_bytes); the capacity is size_bytes / chunk_bytes
// chunks split evenly over the slices (at least one per slice).
#include <cstdint>
#include <optional>
#include <vector>

#include "models/memory/address_hash.hpp"

namespace hwsim {

struct L2Geometry {
  std::int64_t size_bytes;
  int slices;
  int partitions;
  std::int64_t chunk_bytes;
  std::int64_t sector_bytes;  // smallest fill from HBM (l2.sector_bytes)
};

class L2Cache {
 public:
  explicit L2Cache(const L2Geometry& g);

  int slice_of(std::uint64_t key) const;
  int partition_of_slice(int slice) const { return slice * partitions_ / slices_; }

  struct Victim {
    std::uint64_t key;
    std::int64_t bytes;  // its dirty sectors, in bytes: what its write-back moves
    bool dirty;
  };
  struct Access {
    bool hit;                      // every requested sector was present
    bool resident;                 // the chunk was resident (a hit or a partial hit)
    std::int64_t ready;            // fill tick of the resident chunk (resident only)
    std::int64_t fill_bytes;       // the requested sectors that were absent, in bytes
    std::optional<Victim> victim;  // chunk evicted to make room (misses only)
  };
  // Looks up `key`; on a miss allocates it (write-allocate) and evicts the
  // LRU chunk of its slice when full. Every requested sector is present
  // afterwards (the caller fetches `fill_bytes` or overwrites them). `ready`
  // is the tick its data will be present when this access allocates it. A
  // write marks the requested sectors dirty.
  Access access(std::uint64_t key, std::int64_t offset, std::int64_t bytes, bool write, std::int64_t ready);
  // Updates the fill tick of a resident chunk (after the miss was timed).
  void set_ready(std::uint64_t key, std::int64_t ready);

  // Drops everything (a flushed L2 between launches). Returns the dirty bytes
  // that a flush writes back.
  std::int64_t flush();
  std::int64_t chunks_per_slice() const { return per_slice_; }
  std::int64_t resident_chunks() const { return resident_; }
  // Bytes one bit of a chunk's sector mask stands for: the sector, or a
  // multiple of it when a chunk holds more than 64 sectors.
  std::int64_t granule_bytes() const { return granule_; }

 private:
  struct Node {
    std::uint64_t key;
    std::uint64_t present;  // granules holding data
    std::uint64_t dirty;    // granules to write back
    std::int64_t ready;
    std::int32_t prev, next;  // intrusive LRU list within a slice
    std::int32_t slice;
  };
  std::uint64_t mask_of(std::int64_t offset, std::int64_t bytes) const;
  std::int64_t fill_bytes(std::uint64_t missing, std::uint64_t requested, std::int64_t offset,
                          std::int64_t bytes) const;
  std::int64_t sectors_in(std::int64_t lo, std::int64_t hi) const;
  Victim victim_of(const Node& v) const;
  void unlink(std::int32_t n);
  void push_front(int slice, std::int32_t n);
  // Makes node n the most recently used of its slice.
  void touch(int slice, std::int32_t n);
  // The miss half of access(), out of line: allocates the chunk and evicts.
  Access allocate(std::uint64_t key, std::uint64_t hash, int slice, std::uint64_t want, std::uint64_t dirty, bool whole,
                  std::int64_t offset, std::int64_t bytes, std::int64_t ready);
  // Open-addressing index key -> node (linear probing, backward-shift
  // deletion): the L2 lookup is the simulator's hottest path. `hash` is
  // mix64(key), computed once per access for the slice and the bucket.
  std::int32_t find(std::uint64_t key, std::uint64_t hash) const;
  void insert(std::uint64_t key, std::uint64_t hash, std::int32_t node);
  void erase(std::uint64_t key);

  int slices_;
  int partitions_;
  std::int64_t sector_;
  std::int64_t granule_;
  std::int64_t chunk_;
  std::uint64_t full_mask_ = 0;  // the granules of a whole chunk
  std::int64_t full_fill_ = 0;   // and their bytes, in whole sectors
  std::int64_t per_slice_;
  std::vector<Node> nodes_;
  std::vector<std::int32_t> free_;
  std::vector<std::int32_t> head_, tail_;
  std::vector<std::int64_t> count_;
  std::int64_t resident_ = 0;
  std::uint64_t mask_ = 0;
  static constexpr std::uint64_t kEmptyKey = ~0ULL;  // never a chunk key (keys use 64 bits, but not all ones)
  // A bucket keeps its key's home bucket, so deletion does not rehash the
  // chain, and key and node share a cache line.
  struct Bucket {
    std::uint64_t key;  // kEmptyKey marks a free bucket
    std::int32_t node;
    std::uint32_t home;
  };
  std::vector<Bucket> buckets_;
  // The node the last access found or allocated: set_ready follows access
  // for the same key (checked against the node's key before use).
  std::int32_t last_node_ = -1;
};

// The lookup and the hit are inline: the L2 lookup is the simulator's hottest
// path (every chunk a kernel moves), and most accesses hit.
inline std::int32_t L2Cache::find(std::uint64_t key, std::uint64_t hash) const {
  for (std::uint64_t i = hash & mask_;; i = (i + 1) & mask_) {
    const Bucket& b = buckets_[i];
    if (b.key == key) return b.node;
    if (b.key == kEmptyKey) return -1;
  }
}

// unlink() and push_front() for a resident node: one that is not the head has
// a predecessor, and the head it moves before exists.
inline void L2Cache::touch(int slice, std::int32_t n) {
  const auto s = static_cast<size_t>(slice);
  const std::int32_t head = head_[s];
  if (head == n) return;  // already the most recent
  Node& x = nodes_[static_cast<size_t>(n)];
  nodes_[static_cast<size_t>(x.prev)].next = x.next;
  if (x.next >= 0)
    nodes_[static_cast<size_t>(x.next)].prev = x.prev;
  else
    tail_[s] = x.prev;
  x.prev = -1;
  x.next = head;
  nodes_[static_cast<size_t>(head)].prev = n;
  head_[s] = n;
}

inline L2Cache::Access L2Cache::access(std::uint64_t key, std::int64_t offset, std::int64_t bytes, bool write,
                                       std::int64_t ready) {
  const std::uint64_t hash = mix64(key);
  const int s = static_cast<int>(hash % static_cast<std::uint64_t>(slices_));
  // Whole chunks, the common case, take the precomputed mask and fill
  // (no divisions).
  const bool whole = offset == 0 && bytes == chunk_;
  const std::uint64_t want = whole ? full_mask_ : mask_of(offset, bytes);
  const std::uint64_t dirty = write ? want : 0;
  const std::int32_t n = find(key, hash);
  if (n < 0) return allocate(key, hash, s, want, dirty, whole, offset, bytes, ready);
  last_node_ = n;
  touch(s, n);
  Node& x = nodes_[static_cast<size_t>(n)];
  const std::uint64_t missing = want & ~x.present;
  x.present |= want;
  x.dirty |= dirty;
  if (missing == 0) return {true, true, x.ready, 0, std::nullopt};
  return {false, true, x.ready, fill_bytes(missing, want, offset, bytes), std::nullopt};
}

}  // namespace hwsim
