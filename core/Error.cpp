#include "core/Error.h"
// Header-only today; this file keeps the library non-empty and gives Error a home for helpers.
