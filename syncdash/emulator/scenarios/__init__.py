"""What only the demo, the tests and the benchmarks need of the emulator: the demo's
living tenant, the tenant generator and the builders of Graph-shaped objects. The
product runs the emulator's service (``syncdash.emulator``) against a tenant file; it
never builds one."""
