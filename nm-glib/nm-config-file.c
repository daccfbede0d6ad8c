/* nm-config-file.c: finding the configuration file notmuch reads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "nm-config-file-private.h"

/* Called on every open, so it costs little: plain getenv() and one concatenation and one
 * access() per candidate. */
char *
_nm_config_file_find (const char *config_path,
                      const char *profile)
{
  const char *notmuch_config, *home, *xdg_config;

  if (config_path != NULL)
    return config_path[0] != '\0' ? g_strdup (config_path) : NULL;
  notmuch_config = getenv ("NOTMUCH_CONFIG");
  if (notmuch_config != NULL)
    return g_strdup (notmuch_config);
  home = getenv ("HOME");
  xdg_config = getenv ("XDG_CONFIG_HOME");
  if (profile == NULL)
    profile = getenv ("NOTMUCH_PROFILE");
  if (xdg_config != NULL || home != NULL)
    {
      g_autofree char *xdg_file =
        g_strconcat (xdg_config != NULL ? xdg_config : home,
                     xdg_config != NULL ? "/notmuch/" : "/.config/notmuch/",
                     profile != NULL ? profile : "default", "/config", NULL);

      if (g_access (xdg_file, R_OK) == 0)
        return g_steal_pointer (&xdg_file);
    }
  if (home == NULL)
    return NULL;
  return g_strconcat (home, "/.notmuch-config", profile != NULL ? "." : NULL, profile, NULL);
}
