// Tests for SiftTrain live in this target.
import Testing
@testable import SiftTrain
