// RFC 9457 problem details: the one error shape the simulator answers with (../../sim-kit/problem.ts).
import { problemFor } from "../../sim-kit/problem";

export const PROBLEM_BASE = "https://dockline.dev/problems/3pl-sim/";

export const problem = problemFor(PROBLEM_BASE);
