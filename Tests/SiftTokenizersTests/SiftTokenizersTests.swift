// Tests for SiftTokenizers live in this target.
import Testing
@testable import SiftTokenizers
