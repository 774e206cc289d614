/*
 * codec-cost: what compressing scenario 3's records costs by itself, with the
 * settings every client uses (LZ4 frames of independent 64 KiB blocks at LZ4's
 * fast level; zstd level 3), one context reused as kprod does. A client that
 * compresses the same records cannot spend less CPU per record than this.
 *
 *   cc -O2 -o /tmp/codec-cost bench/codec-cost.c -llz4 -lzstd
 *   /tmp/codec-cost build-bench/bench-text-1k.txt
 *
 * Batches are 64 records (64 KiB of values, about what batch.size=65536
 * holds) drawn at random from the payload file's lines, as the tools draw them.
 */
#include <lz4.h>
#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

enum { kRecordsPerBatch = 64, kBatches = 4000 };

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "codec-cost: %s\n", what);
    exit(1);
}

int main(int argc, char **argv) {
    if (argc != 2) die("usage: codec-cost PAYLOAD_FILE (one value per line)");
    FILE *file = fopen(argv[1], "rb");
    if (!file) die("cannot open the payload file");
    static char text[8 << 20];
    const size_t text_size = fread(text, 1, sizeof text, file);
    fclose(file);
    const char *lines[4096];
    size_t lengths[4096], line_count = 0;
    for (size_t start = 0, i = 0; i < text_size && line_count < 4096; ++i) {
        if (text[i] != '\n') continue;
        lines[line_count] = text + start;
        lengths[line_count++] = i - start;
        start = i + 1;
    }
    if (line_count == 0) die("no lines in the payload file");

    /* The batches' raw bytes, built once: only compression is timed. */
    size_t batch_capacity = 0;
    for (size_t i = 0; i < line_count; ++i)
        if (lengths[i] > batch_capacity) batch_capacity = lengths[i];
    batch_capacity *= kRecordsPerBatch;
    char *raw = malloc(batch_capacity * kBatches);
    size_t *raw_size = malloc(sizeof *raw_size * kBatches);
    if (!raw || !raw_size) die("out of memory");
    srand(7);
    for (int b = 0; b < kBatches; ++b) {
        char *at = raw + (size_t)b * batch_capacity;
        raw_size[b] = 0;
        for (int r = 0; r < kRecordsPerBatch; ++r) {
            const size_t line = (size_t)rand() % line_count;
            memcpy(at + raw_size[b], lines[line], lengths[line]);
            raw_size[b] += lengths[line];
        }
    }

    LZ4F_preferences_t preferences;
    memset(&preferences, 0, sizeof preferences);
    preferences.frameInfo.blockSizeID = LZ4F_max64KB;
    preferences.frameInfo.blockMode = LZ4F_blockIndependent;
    LZ4F_cctx *lz4 = NULL;
    if (LZ4F_isError(LZ4F_createCompressionContext(&lz4, LZ4F_VERSION))) die("LZ4F context");
    ZSTD_CCtx *zstd = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(zstd, ZSTD_c_compressionLevel, 3);
    const size_t out_capacity =
        ZSTD_compressBound(batch_capacity) + LZ4F_compressFrameBound(batch_capacity, &preferences);
    char *out = malloc(out_capacity);
    if (!out) die("out of memory");

    double raw_total = 0, lz4_total = 0, zstd_total = 0;
    for (int b = 0; b < kBatches; ++b) raw_total += (double)raw_size[b];

    double start = cpu_seconds();
    for (int b = 0; b < kBatches; ++b) {
        const char *in = raw + (size_t)b * batch_capacity;
        size_t used = LZ4F_compressBegin(lz4, out, out_capacity, &preferences);
        size_t n = LZ4F_compressUpdate(lz4, out + used, out_capacity - used, in, raw_size[b], NULL);
        if (LZ4F_isError(used) || LZ4F_isError(n)) die("lz4 failed");
        used += n;
        n = LZ4F_compressEnd(lz4, out + used, out_capacity - used, NULL);
        if (LZ4F_isError(n)) die("lz4 failed");
        lz4_total += (double)(used + n);
    }
    const double lz4_seconds = cpu_seconds() - start;

    start = cpu_seconds();
    for (int b = 0; b < kBatches; ++b) {
        const size_t n =
            ZSTD_compress2(zstd, out, out_capacity, raw + (size_t)b * batch_capacity, raw_size[b]);
        if (ZSTD_isError(n)) die("zstd failed");
        zstd_total += (double)n;
    }
    const double zstd_seconds = cpu_seconds() - start;

    const double records = (double)kBatches * kRecordsPerBatch;
    printf("%d batches of %d records, %.0f bytes a record on average\n", kBatches, kRecordsPerBatch,
           raw_total / records);
    printf("lz4 (LZ4F %s, fast level):  %.2f us a record, ratio %.3f\n", LZ4_versionString(),
           lz4_seconds * 1e6 / records, lz4_total / raw_total);
    printf("zstd (%s, level 3):        %.2f us a record, ratio %.3f\n", ZSTD_versionString(),
           zstd_seconds * 1e6 / records, zstd_total / raw_total);
    LZ4F_freeCompressionContext(lz4);
    ZSTD_freeCCtx(zstd);
    free(out);
    free(raw);
    free(raw_size);
    return 0;
}
