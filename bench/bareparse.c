/*
 * bareparse - baseline for `make bench`: the cheapest possible libcsv loop.
 *
 * Uses exactly the libcsv configuration of the jtools reader:
 *   csv_init(CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_REPALL_NL),
 *   a space function that never trims, a 4096-byte block size,
 *   64 KiB fread chunks and csv_fini at EOF.
 * The callbacks only count fields, records and field bytes; the totals are
 * printed to stderr so the compiler cannot drop the work.
 *
 * usage: bareparse [FILE]      (stdin when FILE is absent or "-")
 * exit:  0 ok, 1 parse/read error, 2 usage/open error
 */
#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (64u * 1024u)

struct counts {
    unsigned long long fields;
    unsigned long long records;
    unsigned long long field_bytes;
};

static int never_space(unsigned char c)
{
    (void)c;
    return 0;
}

static void on_field(void *s, size_t len, void *data)
{
    struct counts *n = data;
    (void)s;
    n->fields++;
    n->field_bytes += len;
}

static void on_record(int c, void *data)
{
    struct counts *n = data;
    (void)c;
    n->records++;
}

int main(int argc, char **argv)
{
    static char buf[CHUNK];
    struct csv_parser p;
    struct counts n = {0, 0, 0};
    const char *name = "-";
    FILE *fp = stdin;
    unsigned long long bytes = 0;
    size_t got;
    int rc = 0;

    if (argc > 2) {
        fprintf(stderr, "usage: %s [FILE]\n", argv[0]);
        return 2;
    }
    if (argc == 2 && strcmp(argv[1], "-") != 0) {
        name = argv[1];
        fp = fopen(name, "rb");
        if (fp == NULL) {
            fprintf(stderr, "bareparse: %s: %s\n", name, strerror(errno));
            return 2;
        }
    }

    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL |
                     CSV_REPALL_NL) != 0) {
        fprintf(stderr, "bareparse: csv_init failed\n");
        return 1;
    }
    csv_set_space_func(&p, never_space);
    csv_set_blk_size(&p, 4096);

    while ((got = fread(buf, 1, sizeof buf, fp)) > 0) {
        if (csv_parse(&p, buf, got, on_field, on_record, &n) != got) {
            fprintf(stderr, "bareparse: %s: parse error near byte %llu: %s\n",
                    name, bytes + 1, csv_strerror(csv_error(&p)));
            rc = 1;
            break;
        }
        bytes += got;
    }
    if (rc == 0 && ferror(fp)) {
        fprintf(stderr, "bareparse: %s: read error\n", name);
        rc = 1;
    }
    if (rc == 0 && csv_fini(&p, on_field, on_record, &n) != 0) {
        fprintf(stderr, "bareparse: %s: parse error at end of input: %s\n",
                name, csv_strerror(csv_error(&p)));
        rc = 1;
    }
    csv_free(&p);
    if (fp != stdin)
        fclose(fp);

    fprintf(stderr, "bareparse: %llu bytes, %llu records, %llu fields, "
                    "%llu field bytes\n",
            bytes, n.records, n.fields, n.field_bytes);
    return rc;
}
