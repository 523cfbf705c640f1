// cxx-plugin.cc - a converter written in C++, without GLib and linking
// nothing of condmap: one device per weight, the weights' range spread
// linearly over [g_min, g_max] (falling instead with `reverse: true`).
//
//   s = (g_max - g_min) / max(max(W) - min(W), 1e-7)
//   g = g_min + s (w - min(W))       reverse: g = g_max - s (w - min(W))
//   back: w = min(W) + (g - g_min) / s     reverse: min(W) + (g_max - g) / s
#include <algorithm>
#include <new>
#include <condmap-plugin.h>

namespace {

enum { W_MIN, SCALE };  // the params, in the order of param_names
const char *const param_names[] = { "w_min", "scale", nullptr };

const CondmapSettingDecl settings[] = {
  CONDMAP_SETTING_G_MIN (0.0),
  CONDMAP_SETTING_G_MAX (25.0),
  { "reverse", CONDMAP_SETTING_BOOLEAN, "", 0.0, nullptr, 0.0, 1.0, 0, 0, 0,
    "the conductance falls as the weight rises", nullptr },
  CONDMAP_SETTINGS_END
};

struct Linear
{
  double g_min, g_max;
  bool reverse;

  template <typename T> T
  to_g (const double *params, T w) const
  {
    const T lo = (T) g_min, hi = (T) g_max;
    const T d = (T) params[SCALE] * (w - (T) params[W_MIN]);
    return std::min (hi, std::max (lo, reverse ? hi - d : lo + d));
  }

  template <typename T> T
  to_w (const double *params, T g) const
  {
    const T d = reverse ? (T) g_max - g : g - (T) g_min;
    return (T) params[W_MIN] + d / (T) params[SCALE];
  }
};

void *
create (const CondmapHost *host, CondmapContext *ctx)
{
  Linear *st = new (std::nothrow) Linear;

  if (st == nullptr)
    {
      host->error (ctx, CONDMAP_ERROR_FAILED, nullptr, "out of memory");
      return nullptr;
    }
  st->g_min = host->get_number (ctx, "g_min");
  st->g_max = host->get_number (ctx, "g_max");
  st->reverse = host->get_boolean (ctx, "reverse") != 0;
  return st;
}

void
destroy (void *state)
{
  delete static_cast<Linear *> (state);
}

unsigned
n_planes (const void *)
{
  return 1;
}

const char *
plane_name (const void *, unsigned)
{
  return "g";
}

int
plan (const void *state, const CondmapStats *stats, double *params,
      CondmapContext *)
{
  const Linear *st = static_cast<const Linear *> (state);

  params[W_MIN] = stats->min;
  params[SCALE] = (st->g_max - st->g_min)
                  / std::max (stats->max - stats->min, 1e-7);
  return 1;
}

template <typename T> void
to_conductances (const void *state, const double *params, const T *w,
                 size_t n, T *const *g)
{
  const Linear *st = static_cast<const Linear *> (state);

  for (size_t i = 0; i < n; i++)
    g[0][i] = st->to_g (params, w[i]);
}

template <typename T> void
to_weights (const void *state, const double *params, const T *const *g,
            size_t n, T *w)
{
  const Linear *st = static_cast<const Linear *> (state);

  for (size_t i = 0; i < n; i++)
    w[i] = st->to_w (params, g[0][i]);
}

const CondmapConverterOps ops = CONDMAP_CONVERTER_OPS (
  n_planes, plane_name, param_names, plan, to_conductances<float>,
  to_conductances<double>, to_weights<float>, to_weights<double>);

}  // namespace

CONDMAP_PLUGIN_DEFINE (CONDMAP_PLUGIN_KIND_CONVERTER, "cxx-plugin",
                       "one device per weight, written in C++", "1.0",
                       settings, create, destroy, &ops)
