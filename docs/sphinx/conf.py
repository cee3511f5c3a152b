# Sphinx configuration of the fleetops.maintenance docsite (built by `bash scripts/docs`).
# The same settings `antsibull-docs sphinx-init` writes for a collection docsite, except where noted.

project = 'fleetops.maintenance'
copyright = 'fleetops maintainers'
title = 'fleetops.maintenance documentation'
html_short_title = 'fleetops.maintenance'

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# myst_parser and markdown_page (next to this file) render the Markdown pages of docs/ (architecture,
# reliability, performance) unchanged.
extensions = ['sphinx.ext.intersphinx', 'sphinx_antsibull_ext', 'myst_parser', 'markdown_page']
myst_heading_anchors = 3
# docs/performance.md goes from its title (#) straight to ### sections, which GitHub and MyST render
# as intended; only that one check of heading levels is silenced, every other warning is an error.
suppress_warnings = ['myst.header']

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

# References into Ansible's own docs (ansible-core's environment variables, common return values)
# resolve through an inventory that scripts/docs writes from the installed ansible-core
# (docs/sphinx/ansible_core_inventory.py): docs.ansible.com's objects.inv cannot be fetched offline.
# sphinx-init's Python and Jinja inventories are left out: nothing in the site refers to them.
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '../ansible_core.inv'),
}

default_role = 'any'
nitpicky = True
