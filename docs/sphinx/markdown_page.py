"""The ``markdown-page`` directive: a Markdown file of the repository, rendered in place.

``.. markdown-page:: docs/architecture.md`` (a path from the repository root) parses the file with
MyST, so docs/architecture.md, reliability.md and performance.md stay the one source of their pages
on GitHub and in the docsite. Image paths in the file are resolved from the page that uses the
directive, as with ``.. include::`` (scripts/docs puts the images there).
"""

import os

from docutils.parsers.rst import directives
from docutils.parsers.rst.directives.misc import Include
from sphinx.util.docutils import SphinxDirective

REPOSITORY_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


class MarkdownPage(SphinxDirective, Include):
    required_arguments = 1
    optional_arguments = 0
    option_spec = {}
    has_content = False

    def run(self):
        path = os.path.join(REPOSITORY_ROOT, self.arguments[0])
        if not os.path.isfile(path):
            raise self.error('markdown-page: %s does not exist' % path)
        self.env.note_dependency(path)
        self.arguments[0] = path
        self.options = {'parser': directives.parser_name('myst_parser.sphinx_')}
        return Include.run(self)


def setup(app):
    app.add_directive('markdown-page', MarkdownPage)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
