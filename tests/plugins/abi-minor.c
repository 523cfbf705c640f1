/* A plugin built against a newer minor ABI (2.1, say) than the host
 * knows: members appended to the descriptor and to the converter ops, and
 * the struct sizes that say so.  It must load and convert; the host must
 * not touch the members it does not know (calling one aborts). */
#include "fake-plugin.h"

static void
future_member (void)
{
  abort ();
}

static const void *
no_interface (const char *uri)
{
  (void) uri;
  return NULL;
}

typedef struct {
  CondmapConverterOps base;
  void (*future_kernel) (void);
} FutureOps;

typedef struct {
  CondmapPluginDesc base;
  void (*future_hook) (void);
  uint64_t future_flags;
} FutureDesc;

static const FutureOps ops = {
  { (uint32_t) sizeof (FutureOps), fake_n_planes, fake_plane_name,
    fake_param_names, fake_plan, fake_to_g_f32, fake_to_g_f64, fake_to_w_f32,
    fake_to_w_f64 },
  future_member
};

static FutureDesc desc = {
  { FAKE_DESC_INIT ("abi-minor") }, future_member, UINT64_MAX
};

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *condmap_plugin_get_desc (void);

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
condmap_plugin_get_desc (void)
{
  desc.base.struct_size = sizeof (FutureDesc);
  desc.base.ops = &ops;
  desc.base.get_interface = no_interface;
  return &desc.base;
}
