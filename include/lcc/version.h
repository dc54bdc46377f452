/* lcc: version of the library and its API. meson reads these macros. */
#ifndef LCC_VERSION_H
#define LCC_VERSION_H

#define LCC_API_VERSION_MAJOR 0
#define LCC_API_VERSION_MINOR 2
#define LCC_API_VERSION_PATCH 0

#define LCC_VERSION_STRING "0.2.0"

#endif /* LCC_VERSION_H */
