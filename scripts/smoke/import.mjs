// ESM consumer: node import.mjs <package name>
import exercise from './exercise.cjs';

const report = await exercise(process.argv[2], (specifier) => import(specifier));
console.log(JSON.stringify(report, null, 2));
