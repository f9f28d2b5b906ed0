// The kernel's entry before it became run-kernel.cjs, kept for kernelspecs installed with it.
import "./run-kernel.cjs";
