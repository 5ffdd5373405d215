// OpenBLAS's CBLAS interface (Debian: libopenblas-dev installs it as <cblas.h>).
// openblas_set_num_threads is declared there too; we call it so BLAS threads and our
// own parallel loops never oversubscribe the cores. openblas_get_corename tells which kernel
// set OpenBLAS picked for this CPU (see BLAS.suggestedCoreType).
#include <cblas.h>

/// 2: the CPU runs AVX-512 (F, BW, DQ, VL: OpenBLAS's SkylakeX kernels); 1: AVX2 with FMA
/// (Haswell kernels); 0: neither.
static inline int sift_cpu_vector_level(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
    return 0;
}
