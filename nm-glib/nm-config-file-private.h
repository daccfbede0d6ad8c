/* nm-config-file-private.h: finding the configuration file notmuch reads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The configuration file libnotmuch reads for @config_path and @profile, found the way it
 * finds it: @config_path itself ("" for none), else `NOTMUCH_CONFIG`, else
 * `$XDG_CONFIG_HOME/notmuch/<profile>/config` if it exists, else
 * `~/.notmuch-config[.<profile>]`.  NULL when there is none to read.  The file may not
 * exist. */
char *_nm_config_file_find (const char *config_path,
                            const char *profile);

G_END_DECLS
