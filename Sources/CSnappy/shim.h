// Snappy's C API (Debian: libsnappy-dev), for SNAPPY-compressed Parquet pages.
#include <snappy-c.h>
