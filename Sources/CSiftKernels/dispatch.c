// Which instruction set the kernels run with: detected once, overridable for tests.
#include "sift_kernels.h"
#include "kernel_math.h"

static int detected_level(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("fma")) return 2;
#endif
    return 0;
}

// -1: not decided yet. A benign race: every thread computes the same value.
static volatile int current_level = -1;

int sift_kernels_level(void) {
    int level = current_level;
    if (level < 0) { level = detected_level(); current_level = level; }
    return level;
}

void sift_kernels_set_level(int level) {
    int available = detected_level();
    current_level = level < 0 ? available : (level <= available ? level : 0);
}
