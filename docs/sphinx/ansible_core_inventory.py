"""Write a Sphinx (intersphinx) inventory of the parts of Ansible's own docs the docsite refers to.

The generated plugin pages refer to ansible-core's configuration (the cache and inventory options
name ansible-core environment variables with ``:envvar:``) and to its common return values. Those
targets live on docs.ansible.com, whose ``objects.inv`` cannot be fetched offline. This inventory
lists them from the installed ansible-core, so every reference resolves to its public page.

Usage: python ansible_core_inventory.py OUTPUT.inv
"""

import sys
import zlib

from ansible.config.manager import ConfigManager
from ansible.release import __version__ as ansible_core_version
from sphinx.util.nodes import _make_id

# Pages of https://docs.ansible.com/projects/ansible/devel/ (see intersphinx_mapping in conf.py).
CONFIG_PAGE = 'reference_appendices/config.html'
LABELS = {
    # label: (page and anchor, title)
    'ansible_configuration_settings': (CONFIG_PAGE + '#ansible-configuration-settings',
                                       'Ansible Configuration Settings'),
    'common_return_values': ('reference_appendices/common_return_values.html#common-return-values',
                             'Return Values'),
    # the "action" attribute of an action plugin's page (fleet_run_report, koophone_reset_waves)
    'action_plugins': ('plugins/action.html#action-plugins', 'Action plugins'),
}


def core_environment_variables():
    names = set()
    for setting in ConfigManager().get_configuration_definitions().values():
        for env in setting.get('env') or []:
            names.add(env['name'])
    return sorted(names)


def inventory_lines():
    for name in core_environment_variables():
        # the anchor Sphinx gives `.. envvar:: NAME` on the configuration page
        yield '%s std:envvar 1 %s#%s -' % (name, CONFIG_PAGE, _make_id('envvar-' + name))
    for label, (uri, title) in sorted(LABELS.items()):
        yield '%s std:label -1 %s %s' % (label, uri, title)


def main(path):
    header = ('# Sphinx inventory version 2\n'
              '# Project: Ansible\n'
              '# Version: %s\n'
              '# The remainder of this file is compressed using zlib.\n' % ansible_core_version)
    body = ''.join(line + '\n' for line in inventory_lines())
    with open(path, 'wb') as handle:
        handle.write(header.encode('utf-8'))
        handle.write(zlib.compress(body.encode('utf-8')))


if __name__ == '__main__':
    main(sys.argv[1])
