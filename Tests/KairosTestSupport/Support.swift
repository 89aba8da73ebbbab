import Kairos
