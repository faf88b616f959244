#pragma once

// The functions behind the client commands of command_table.cpp, one
// family per file: provider_commands.cpp, soul_commands.cpp,
// key_commands.cpp, usage_commands.cpp, login_commands.cpp,
// system_commands.cpp, help_commands.cpp. Each returns an exit status.

#include "cli/command_spec.hpp"

namespace oh::cli::commands {

int help(const invocation& in);
int completion(const invocation& in);
int version(const invocation& in);

int status(const invocation& in);

int provider_list(const invocation& in);
int provider_show(const invocation& in);
int provider_add(const invocation& in);
int provider_update(const invocation& in);
int provider_delete(const invocation& in);
int provider_probe(const invocation& in);
int provider_health(const invocation& in);
int provider_models(const invocation& in);
int provider_login(const invocation& in);
int provider_import(const invocation& in);
int provider_add_claude(const invocation& in);
int provider_export_claude(const invocation& in);

int soul_list(const invocation& in);
int soul_show(const invocation& in);
int soul_add(const invocation& in);
int soul_update(const invocation& in);
int soul_delete(const invocation& in);

int key_list(const invocation& in);
int key_show(const invocation& in);
int key_create(const invocation& in);
int key_update(const invocation& in);
int key_rotate(const invocation& in);
int key_revoke(const invocation& in);
int key_reactivate(const invocation& in);
int key_delete(const invocation& in);

int logs(const invocation& in);
int cost(const invocation& in);
int actors(const invocation& in);

int settings_show(const invocation& in);
int settings_set(const invocation& in);
int admin_rotate_token(const invocation& in);
int admin_password(const invocation& in);
int admin_sessions(const invocation& in);
int admin_audit(const invocation& in);
int connect_openclaw(const invocation& in);
int tunnel_setup(const invocation& in);
int tunnel_start(const invocation& in);
int tunnel_stop(const invocation& in);
int tunnel_status(const invocation& in);

} // namespace oh::cli::commands
