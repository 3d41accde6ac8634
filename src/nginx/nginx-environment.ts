// The environment every nginx we run gets (the config test, the master, and the benchmarks' nginx -t): the
// controller's own, with glibc's malloc asked to back its heap with transparent huge pages.
//
// Why: nginx allocates and zeroes a configuration context for every module in every location, so parsing is
// dominated by page faults (1k Ingresses: 33k faults, about half of `nginx -t`'s 130 ms, and again in the
// master at each reload, plus the page-table copy when it forks workers). With `glibc.malloc.hugetlb=1`
// (glibc ≥ 2.35) malloc madvises its arenas for huge pages: 1.5k faults, and `nginx -t` takes ~70 ms. It
// needs the kernel's THP mode to be `always` or `madvise`; with `never`, or with another libc, the tunable
// is ignored and nothing changes.

const HUGE_PAGE_TUNABLE = 'glibc.malloc.hugetlb=1';

/** `env` (default: this process's) with the huge-page malloc tunable added to any GLIBC_TUNABLES it has. */
export function nginxEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const tunables = env['GLIBC_TUNABLES'];
  // An operator's own choice for the same tunable wins.
  if (tunables?.includes('glibc.malloc.hugetlb=') === true) return env;
  return { ...env, GLIBC_TUNABLES: tunables === undefined || tunables === '' ? HUGE_PAGE_TUNABLE : `${tunables}:${HUGE_PAGE_TUNABLE}` };
}
