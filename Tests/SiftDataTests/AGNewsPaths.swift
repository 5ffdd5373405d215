// Paths of the real AG News files in ../shared/data/agnews.
import SiftTestSupport

let agNewsClassesPath = Fixtures.sharedFile("data/agnews/classes.txt").path
let agNewsTrainPath = Fixtures.sharedFile("data/agnews/train.csv").path
let agNewsTestPath = Fixtures.sharedFile("data/agnews/test.csv").path
