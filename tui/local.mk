# Filled in by the tui work.
