/* bench-driver.h: what the two C drivers of bench/run.py share (floor.c, glib-driver.c)
 *
 * The timed section with its callgrind marks, the peak RSS, and the record encoding whose
 * CRC-32 the drivers report.  Each driver is one translation unit including this header.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

typedef struct
{
  int hashing;
  unsigned long count;
  uLong crc;
  struct timespec cpu_start, wall_start;
  double cpu, wall;
} Bench;

/* The peak resident set size of this process in KiB.  Not getrusage()'s ru_maxrss: Linux
 * carries that across exec() from the process that forked, here a Python interpreter. */
static long
peak_rss (void)
{
  FILE *status = fopen ("/proc/self/status", "r");
  char line[256];
  long kib = -1;

  while (status != NULL && fgets (line, sizeof line, status) != NULL)
    if (sscanf (line, "VmHWM: %ld kB", &kib) == 1)
      break;
  if (status != NULL)
    fclose (status);
  return kib;
}

static double
elapsed (const struct timespec *start, clockid_t clock)
{
  struct timespec now;

  clock_gettime (clock, &now);
  return (double) (now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

/* bench/instructions.py runs the drivers under callgrind with --dump-before=getppid and
 * BENCH_MARK set: every timed section then starts and ends with a getppid() call, outside
 * the clock readings. */
static void
bench_mark (void)
{
  static int mark = -1;

  if (mark < 0)
    mark = getenv ("BENCH_MARK") != NULL;
  if (mark)
    (void) getppid ();
}

static void
bench_start (Bench *bench)
{
  bench_mark ();
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &bench->cpu_start);
  clock_gettime (CLOCK_MONOTONIC, &bench->wall_start);
}

static void
bench_stop (Bench *bench)
{
  bench->cpu = elapsed (&bench->cpu_start, CLOCK_PROCESS_CPUTIME_ID);
  bench->wall = elapsed (&bench->wall_start, CLOCK_MONOTONIC);
  bench_mark ();
}

/* Record encoding: every field is followed by 0x1f; a tag list is each tag followed by a
 * space; a number is its decimal text; a record ends with its last field. */
static void
put_bytes (Bench *bench, const char *bytes, size_t length)
{
  if (bench->hashing)
    bench->crc = crc32 (bench->crc, (const Bytef *) bytes, length);
}

static void
put (Bench *bench, const char *field)
{
  if (field != NULL)
    put_bytes (bench, field, strlen (field));
  put_bytes (bench, "\x1f", 1);
}

static void
put_int (Bench *bench, int64_t value)
{
  char text[32];

  if (!bench->hashing)
    return;
  snprintf (text, sizeof text, "%" PRId64, value);
  put (bench, text);
}
