/* SANITIZED is defined in a build with ASan or UBSan (gcc says so with
 * __SANITIZE_*__, clang with __has_feature): their runtimes need calls
 * and files the daemons' confinement would otherwise refuse. */
#ifndef SPX_SANITIZED_H
#define SPX_SANITIZED_H

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

#endif
