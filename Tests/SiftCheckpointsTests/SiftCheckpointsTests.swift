// Tests for SiftCheckpoints live in this target.
import Testing
@testable import SiftCheckpoints
