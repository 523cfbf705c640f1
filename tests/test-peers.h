/* test-peers.h - the suites of the test-peers program. */
#ifndef CONDMAP_TEST_PEERS_H
#define CONDMAP_TEST_PEERS_H

#include "condmap.h"

/* Adds the "formulas" suite (test-peers-formulas.c), which converts with
 * @runtime's plugins. */
void cm_test_peers_add_formulas (CondmapRuntime *runtime);

#endif
