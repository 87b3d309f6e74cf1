// RFC 9457 problem details: the one error shape the simulator answers with (../../sim-kit/problem.ts).
import { problemFor } from "../../sim-kit/problem";

export const problem = problemFor("https://dockline.dev/problems/subscriber-sim/");
