# The shell of a JupyterLab terminal under `make lab` (ServerApp.terminado_settings runs
# `bash --rcfile` on this file): the start-up files a login shell reads, as Jupyter's own
# `bash -l` would, and then the project's venv first on PATH. /etc/profile (and many a
# ~/.profile) sets PATH afresh, so without this last line the README's `briefings build
# --preview` is "command not found" whenever the lab was started without a terminal.
if [ -r /etc/profile ]; then . /etc/profile; fi
for startup in ~/.bash_profile ~/.bash_login ~/.profile; do
  if [ -r "$startup" ]; then . "$startup"; break; fi
done
if [ -n "$LAB_VENV_BIN" ]; then export PATH="$LAB_VENV_BIN:$PATH"; fi
