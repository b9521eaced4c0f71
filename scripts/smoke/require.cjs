// CommonJS consumer: node require.cjs <package name>
'use strict';
const exercise = require('./exercise.cjs');

exercise(process.argv[2], (specifier) => require(specifier)).then(
  (report) => console.log(JSON.stringify(report, null, 2)),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
