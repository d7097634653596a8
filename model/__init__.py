"""The pension domain: wire types, the situation held as arrays, mutations, messages and patches."""
