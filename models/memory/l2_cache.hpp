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
  // Open-addressing index key -> node (linear probing, backward-shift
  // deletion): the L2 lookup is the simulator's hottest path.
  std::int32_t find(std::uint64_t key) const;
  void insert(std::uint64_t key, std::int32_t node);
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
  std::vector<std::uint64_t> keys_;  // kEmpty marks a free bucket
  std::vector<std::int32_t> vals_;
};

}  // namespace hwsim
