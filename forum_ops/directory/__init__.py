"""The directory of support networks and best practice, and the recommendations tracker."""
