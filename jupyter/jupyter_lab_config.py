"""The project's JupyterLab configuration, used by `make lab` (JUPYTER_CONFIG_DIR=<project>/jupyter).

- Defaults for JupyterLab's settings come from lab/settings/overrides.json: the interface in Simplified
  Chinese (the language pack jupyterlab-language-pack-zh-CN is a dependency of the project) and no
  news or update pop-ups. They are defaults: a user can still change them in 设置.
- What a user changes (settings, the open tabs of a workspace) is kept in the user's own folder
  (~/.jupyter/lab/…, as without this configuration), never in this repository.
"""

from pathlib import Path

c = get_config()  # noqa: F821  (provided by Jupyter when it loads this file)

HERE = Path(__file__).resolve().parent
USER_LAB = Path.home() / ".jupyter" / "lab"

c.LabApp.app_settings_dir = str(HERE / "lab" / "settings")
c.LabApp.user_settings_dir = str(USER_LAB / "user-settings")
c.LabApp.workspaces_dir = str(USER_LAB / "workspaces")
