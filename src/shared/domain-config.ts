/** A value in an xl.cfg file: xl keeps every atom as text, numbers are the ones written bare. */
export type XlValue = string | number | XlValue[];
