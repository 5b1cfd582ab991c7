/*
 * tracepoke bench decode: times OpenCSD's decoder library (C API, Debian libopencsd-dev) on one
 * trace buffer, with the trace and the memory images in memory and a callback that only counts.
 * Written for tracepoke from the API headers (opencsd/c_api/opencsd_c_api.h); tracepoke compiles
 * it on first use with: gcc -O2 ocsd_bench.c -lopencsd_c_api -lopencsd
 *
 * usage: ocsd_bench RUNS BUFFER FORMAT [etm=TRACEIDR,CONFIGR,IDR0,IDR1,IDR2,IDR8,IDR9,IDR10,IDR11,IDR12,IDR13,ARCH]...
 *                   [mem=ADDRESS,OFFSET,LENGTH,FILE]...
 *   FORMAT: coresight (memory-aligned 16-byte frames), dstream (frames with FSYNCs, 512-byte blocks
 *   ending in an 8-byte footer) or raw (one
 *   source); ARCH: v8, v8r3 or aa64. Numbers are C literals (0x... accepted).
 * output: one line per run, "run N wall_s W cpu_s C bytes B ranges R instructions I", on stdout.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <opencsd/c_api/opencsd_c_api.h>

#define MAX_ETMS 128
#define MAX_MEMS 256

typedef struct {
  uint64_t ranges;
  uint64_t instructions;
} counts_t;

typedef struct {
  uint64_t address;
  uint8_t *bytes;
  uint32_t length;
} mem_t;

static ocsd_datapath_resp_t count_element(const void *context, const ocsd_trc_index_t index,
                                          const uint8_t trace_id, const ocsd_generic_trace_elem *elem) {
  (void)index;
  (void)trace_id;
  if (elem->elem_type == OCSD_GEN_TRC_ELEM_INSTR_RANGE) {
    counts_t *c = (counts_t *)context;
    c->ranges++;
    c->instructions += elem->num_instr_range;
  }
  return OCSD_RESP_CONT;
}

static uint8_t *read_file(const char *path, uint64_t offset, uint64_t *length) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "ocsd_bench: cannot open %s\n", path);
    exit(2);
  }
  if (*length == 0) {
    fseek(f, 0, SEEK_END);
    *length = (uint64_t)ftell(f) - offset;
  }
  uint8_t *b = malloc(*length ? *length : 1);
  fseek(f, (long)offset, SEEK_SET);
  if (fread(b, 1, *length, f) != *length) {
    fprintf(stderr, "ocsd_bench: %s: short read at offset %llu\n", path, (unsigned long long)offset);
    exit(2);
  }
  fclose(f);
  return b;
}

static double seconds(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static uint64_t number(const char *s) {
  return strtoull(s, NULL, 0);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: ocsd_bench RUNS BUFFER FORMAT [etm=...]... [mem=...]...\n");
    return 2;
  }
  int runs = atoi(argv[1]);
  uint64_t size = 0;
  uint8_t *trace = read_file(argv[2], 0, &size);
  const char *format = argv[3];
  ocsd_etmv4_cfg etms[MAX_ETMS];
  int n_etms = 0;
  mem_t mems[MAX_MEMS];
  int n_mems = 0;
  for (int i = 4; i < argc; i++) {
    if (strncmp(argv[i], "etm=", 4) == 0 && n_etms < MAX_ETMS) {
      char *fields[12];
      int n = 0;
      for (char *tok = strtok(argv[i] + 4, ","); tok && n < 12; tok = strtok(NULL, ",")) {
        fields[n++] = tok;
      }
      if (n != 12) {
        fprintf(stderr, "ocsd_bench: etm= wants 12 fields: %s\n", argv[i]);
        return 2;
      }
      ocsd_etmv4_cfg *c = &etms[n_etms++];
      memset(c, 0, sizeof *c);
      c->reg_traceidr = (uint32_t)number(fields[0]);
      c->reg_configr = (uint32_t)number(fields[1]);
      c->reg_idr0 = (uint32_t)number(fields[2]);
      c->reg_idr1 = (uint32_t)number(fields[3]);
      c->reg_idr2 = (uint32_t)number(fields[4]);
      c->reg_idr8 = (uint32_t)number(fields[5]);
      c->reg_idr9 = (uint32_t)number(fields[6]);
      c->reg_idr10 = (uint32_t)number(fields[7]);
      c->reg_idr11 = (uint32_t)number(fields[8]);
      c->reg_idr12 = (uint32_t)number(fields[9]);
      c->reg_idr13 = (uint32_t)number(fields[10]);
      c->arch_ver = strcmp(fields[11], "aa64") == 0 ? ARCH_AA64
                    : strcmp(fields[11], "v8r3") == 0 ? ARCH_V8r3 : ARCH_V8;
      c->core_prof = profile_CortexA;
    } else if (strncmp(argv[i], "mem=", 4) == 0 && n_mems < MAX_MEMS) {
      char *address = strtok(argv[i] + 4, ",");
      char *offset = strtok(NULL, ",");
      char *length = strtok(NULL, ",");
      char *file = strtok(NULL, "");
      if (!file) {
        fprintf(stderr, "ocsd_bench: mem= wants ADDRESS,OFFSET,LENGTH,FILE\n");
        return 2;
      }
      uint64_t len = number(length);
      mems[n_mems].address = number(address);
      mems[n_mems].bytes = read_file(file, number(offset), &len);
      mems[n_mems].length = (uint32_t)len;
      n_mems++;
    } else {
      fprintf(stderr, "ocsd_bench: unexpected argument %s\n", argv[i]);
      return 2;
    }
  }
  int raw = strcmp(format, "raw") == 0;
  if (strcmp(format, "dstream") == 0) {
    /* a DSTREAM capture's 512-byte blocks end in an 8-byte probe footer that is not trace: dropped
       before the timed runs, as trc_pkt_lister -dstream_format drops it */
    uint64_t kept = 0;
    for (uint64_t i = 0; i < size; i++) {
      if (i % 512 < 504) {
        trace[kept++] = trace[i];
      }
    }
    size = kept;
  }
  uint32_t frame_flags = strcmp(format, "dstream") == 0 ? OCSD_DFRMTR_HAS_FSYNCS : OCSD_DFRMTR_FRAME_MEM_ALIGN;
  ocsd_def_errlog_init(OCSD_ERR_SEV_ERROR, 0); /* errors are kept, not printed */

  for (int run = 0; run < runs; run++) {
    counts_t counts = {0, 0};
    dcd_tree_handle_t tree = ocsd_create_dcd_tree(raw ? OCSD_TRC_SRC_SINGLE : OCSD_TRC_SRC_FRAME_FORMATTED,
                                                  raw ? 0 : frame_flags);
    if (!tree) {
      fprintf(stderr, "ocsd_bench: cannot create a decode tree\n");
      return 1;
    }
    for (int e = 0; e < (raw ? 1 : n_etms); e++) {
      unsigned char id;
      ocsd_err_t err = ocsd_dt_create_decoder(tree, OCSD_BUILTIN_DCD_ETMV4I, OCSD_CREATE_FLG_FULL_DECODER,
                                              &etms[e], &id);
      if (err != OCSD_OK) {
        fprintf(stderr, "ocsd_bench: decoder for trace ID 0x%x: error %d\n", etms[e].reg_traceidr, err);
        return 1;
      }
    }
    /* the output callback attaches to the decoders that exist, so it comes after them */
    ocsd_dt_set_gen_elem_outfn(tree, count_element, &counts);
    for (int m = 0; m < n_mems; m++) {
      ocsd_err_t err = ocsd_dt_add_buffer_mem_acc(tree, mems[m].address, OCSD_MEM_SPACE_ANY, mems[m].bytes,
                                                  mems[m].length);
      if (err != OCSD_OK) {
        fprintf(stderr, "ocsd_bench: memory at 0x%llx: error %d\n", (unsigned long long)mems[m].address, err);
        return 1;
      }
    }
    double w0 = seconds(CLOCK_MONOTONIC);
    double c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
    uint64_t at = 0;
    while (at < size) {
      uint32_t used = 0;
      ocsd_datapath_resp_t r = ocsd_dt_process_data(tree, OCSD_OP_DATA, (ocsd_trc_index_t)at,
                                                    (uint32_t)(size - at), trace + at, &used);
      if (OCSD_DATA_RESP_IS_FATAL(r)) {
        char message[256] = "";
        ocsd_trc_index_t where = 0;
        uint8_t id = 0;
        ocsd_get_last_err(&where, &id, message, sizeof message);
        fprintf(stderr, "ocsd_bench: fatal datapath response %d at byte %llu: %s\n", r, (unsigned long long)at,
                message);
        return 1;
      }
      at += used;
      if (OCSD_DATA_RESP_IS_WAIT(r)) {
        ocsd_dt_process_data(tree, OCSD_OP_FLUSH, 0, 0, NULL, NULL);
      }
    }
    uint32_t used = 0;
    ocsd_dt_process_data(tree, OCSD_OP_EOT, 0, 0, NULL, &used);
    double wall = seconds(CLOCK_MONOTONIC) - w0;
    double cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
    ocsd_destroy_dcd_tree(tree);
    printf("run %d wall_s %.6f cpu_s %.6f bytes %llu ranges %llu instructions %llu\n", run, wall, cpu,
           (unsigned long long)size, (unsigned long long)counts.ranges, (unsigned long long)counts.instructions);
    fflush(stdout);
  }
  return 0;
}
