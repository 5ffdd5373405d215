// OpenBLAS's CBLAS interface (Debian: libopenblas-dev installs it as <cblas.h>).
// openblas_set_num_threads is declared there too; we call it so BLAS threads and our
// own parallel loops never oversubscribe the cores.
#include <cblas.h>
