// Tests for SiftData live in this target.
import Testing
@testable import SiftData
