#include "protocol/api.h"

namespace kprod::protocol {

void begin_request(WireWriter &writer, ApiKey key, int16_t version, bool flexible,
                   int32_t correlation_id, std::string_view client_id) {
    writer.int32(0);  // size, patched by finish_request
    writer.int16(static_cast<int16_t>(key));
    writer.int16(version);
    writer.int32(correlation_id);
    writer.string(client_id, false);  // client_id is never compact, even in header v2
    writer.empty_tagged_fields(flexible);
}

void finish_request(WireWriter &writer, size_t extra_bytes) {
    writer.patch_int32(0, static_cast<int32_t>(writer.size() - 4 + extra_bytes));
}

void skip_response_header_rest(WireReader &reader, bool flexible) {
    reader.skip_tagged_fields(flexible);
}

}  // namespace kprod::protocol
