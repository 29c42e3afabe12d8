"""Source text for a computed model: the Keras writer, and the rules every code writer follows
(checked literals, escaped comments)."""
