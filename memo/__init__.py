"""memo: policy memos for several audiences, as PDF, DOCX and HTML, from one YAML source.

The pipeline runs one way::

    content/*.yaml -> memo.content (typed, validated) -> memo.view (one audience's memo)
    -> memo.render (one semantic HTML document) -> memo.writers.{html,pdf,docx} -> memo.build

Nothing in this package imports WeasyPrint or python-docx at import time; only the
writers do, and only when a build asks for them.
"""

try:  # written by setuptools-scm from the git tag when the package is built or installed
    from memo._version import version as __version__
except ImportError:  # a source tree that was never installed
    __version__ = "0.0.0"
