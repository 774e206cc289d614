// CRC-32C (Castagnoli), the checksum of a Kafka RecordBatch v2 (it covers the bytes
// from the attributes field to the end of the batch).
// Uses the SSE4.2 crc32 instruction when the CPU has it, else slicing-by-8 tables.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kprod::protocol {

// Returns the CRC-32C of the bytes that gave `crc` followed by data[0, size).
// Start with crc = 0; feeding a buffer in pieces gives the same result as one call.
// The implementation is chosen once, on the first call. Safe from any thread.
uint32_t crc32c_extend(uint32_t crc, const void *data, size_t size);

// The table-driven implementation, whatever the CPU. Exposed so that tests can
// check it against the hardware path.
uint32_t crc32c_extend_portable(uint32_t crc, const void *data, size_t size);

// True when crc32c_extend() uses the CPU's crc32 instruction.
bool crc32c_is_hardware_accelerated();

// The CRC-32C of data[0, size), as written in a RecordBatch's crc field.
inline uint32_t crc32c(const void *data, size_t size) {
    return crc32c_extend(0, data, size);
}

}  // namespace kprod::protocol
