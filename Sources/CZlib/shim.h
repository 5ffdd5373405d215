// zlib (Debian: zlib1g-dev), for GZIP-compressed Parquet pages.
#include <zlib.h>
